import type { Role } from '@aius/contracts';

const ROLE_RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };
/** True when `role` carries at least the rights of `min`. */
export const hasRole = (role: Role, min: Role): boolean => ROLE_RANK[role] >= ROLE_RANK[min];
