/** The dashboard's sections, in menu order. The usage page (proxy) adds its entry here. */
export const NAV_ITEMS: readonly { href: string; label: string }[] = [
  { href: '/projects', label: 'Projects' },
  { href: '/organizations', label: 'Organizations' },
  { href: '/tokens', label: 'API tokens' },
  { href: '/security', label: 'Security' },
];
