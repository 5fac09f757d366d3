import type { Metadata } from 'next';
import { ApiReference } from './api-reference';

export const metadata: Metadata = { title: 'API reference' };

/** Public: the reference describes the API, not anyone's data. */
export default function DocsPage() {
  return <ApiReference />;
}
