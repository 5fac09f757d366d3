import { z } from 'zod';
import { LIMITS, idField, nameField, optionalDescription, orgIdField, unixSeconds } from './fields.js';

export const project = z.object({
  id: z.string(),
  org_id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  forked_from_id: z.string().nullable(),
  /** The origin's name (its latest, while it exists); kept when the origin is deleted and `forked_from_id` goes null. */
  forked_from_name: z.string().nullable(),
  created_at: unixSeconds,
  updated_at: unixSeconds,
});
export type Project = z.infer<typeof project>;

export const listProjectsQuery = z.object({ org_id: orgIdField });
export type ListProjectsQuery = z.infer<typeof listProjectsQuery>;

export const projectListResponse = z.object({ data: z.array(project) });
export type ProjectListResponse = z.infer<typeof projectListResponse>;

export const createProjectRequest = z.object({ org_id: orgIdField, name: nameField, description: optionalDescription });
export type CreateProjectRequest = z.infer<typeof createProjectRequest>;

export const updateProjectRequest = z.object({
  name: nameField.optional(),
  description: optionalDescription,
});
export type UpdateProjectRequest = z.infer<typeof updateProjectRequest>;

export const projectIdParams = z.object({ id: idField('NOT_FOUND') });
export type ProjectIdParams = z.infer<typeof projectIdParams>;

export const deleteProjectResponse = z.object({ deleted: z.literal(true) });
export type DeleteProjectResponse = z.infer<typeof deleteProjectResponse>;

/** `<name> (fork)`, then `<name> (fork 2)`, `(fork 3)`… (spec §6). */
export function forkName(name: string, n: number): string {
  return n <= 1 ? `${name} (fork)` : `${name} (fork ${n})`;
}
export const PROJECT_NAME_MAX = LIMITS.name;
