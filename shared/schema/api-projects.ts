import * as v from 'valibot';

// No control characters: names show up in file dialogs, CSV exports and terminals.
const Name = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200), v.regex(/^[^\p{Cc}]*$/u));
const Folder = v.pipe(v.string(), v.trim(), v.maxLength(500), v.regex(/^[^\p{Cc}]*$/u));

export const ProjectCreate = v.object({ name: Name, folder: v.optional(Folder, '') });
export type ProjectCreate = v.InferOutput<typeof ProjectCreate>;

export const ProjectPatch = v.object({ name: v.optional(Name), folder: v.optional(Folder) });
export type ProjectPatch = v.InferOutput<typeof ProjectPatch>;

export const Project = v.object({
  id: v.string(),
  name: v.string(),
  folder: v.string(),
  revision: v.number(),
  createdAt: v.string(),
  updatedAt: v.string(),
});
export type Project = v.InferOutput<typeof Project>;

export const ProjectsResponse = v.object({ projects: v.array(Project) });
export type ProjectsResponse = v.InferOutput<typeof ProjectsResponse>;

export const FileName = v.pipe(v.string(), v.minLength(1), v.maxLength(255), v.regex(/^[^\p{Cc}/\\]*$/u));

export const FileUploadResponse = v.object({ id: v.string(), sha256: v.string(), size: v.number() });
export type FileUploadResponse = v.InferOutput<typeof FileUploadResponse>;

export const FileSummary = v.object({ id: v.string(), name: v.string(), sha256: v.string(), size: v.number(), createdAt: v.string() });
export type FileSummary = v.InferOutput<typeof FileSummary>;
