/**
 * The dashboard's sections, in menu order. `adminOnly` ones are listed only for instance admins
 * (GET /me `is_admin`); `billing` only while the server bills in credits (GET /instance `billing_mode`).
 */
export const NAV_ITEMS: readonly { href: string; label: string; adminOnly?: boolean; billing?: true }[] = [
  { href: '/get-started', label: 'Get started' },
  { href: '/projects', label: 'Projects' },
  { href: '/artifacts', label: 'Artifacts' },
  { href: '/organizations', label: 'Organizations' },
  { href: '/tokens', label: 'API tokens' },
  { href: '/usage', label: 'Usage' },
  { href: '/billing', label: 'Billing', billing: true },
  { href: '/runs', label: 'Runs' },
  { href: '/security', label: 'Security' },
  { href: '/audit-log', label: 'Audit log' },
  { href: '/admin', label: 'Admin', adminOnly: true },
];
