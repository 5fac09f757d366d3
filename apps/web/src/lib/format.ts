const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

/** API timestamps are unix seconds (spec §1). */
export const formatDateTime = (seconds: number) => dateTime.format(new Date(seconds * 1000));
export const formatDate = (seconds: number) => date.format(new Date(seconds * 1000));
