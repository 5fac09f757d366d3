'use client';

import type { ArtifactListResponse, ArtifactVersion } from '@aius/contracts';
import { useEffect, useMemo, useState } from 'react';
import { Empty, LoadError, Loading } from '@/components/states';
import { call } from '@/lib/api';
import { describeError } from '@/lib/error-copy';
import { formatMoment } from '@/lib/format';
import { useQuery } from '@/lib/use-query';
import { ArtifactPreview, contentUrl } from './artifact-preview';
import { buildTree, formatBytes, type ArtifactFolder } from './artifact-tree';

/**
 * The artifacts of a project (or, with `projectId` null, the uploads of an organization made
 * without a project): a tree of paths with each file's latest version; choosing one shows
 * every version of it with size, uploader and time, a preview and a download.
 */
export function ArtifactBrowser({ orgId, projectId }: { orgId: string; projectId: string | null }) {
  const { pages, error, loading, more, loadMore, reload } = useArtifactPages(orgId, projectId);
  const [selected, setSelected] = useState<string | null>(null);
  const all = useMemo(() => pages.flatMap((p) => p.data), [pages]);
  const tree = useMemo(() => buildTree(all), [all]);

  if (loading && pages.length === 0) return <Loading />;
  if (error && pages.length === 0) return <LoadError message={error} onRetry={reload} />;
  if (all.length === 0) return <Empty title="No artifacts yet">Files the CLI uploads (`aius artifacts push`) appear here.</Empty>;
  return (
    <div className="artifacts">
      <nav className="artifact-tree" aria-label="Artifact paths">
        <FolderView folder={tree} selected={selected} onSelect={setSelected} />
        {more ? (
          <button type="button" className="btn small" onClick={loadMore} disabled={loading}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
        ) : null}
      </nav>
      <section className="artifact-detail" aria-live="polite">
        {selected ? <VersionsView key={selected} id={selected} /> : <p className="muted">Choose a file to see its versions.</p>}
      </section>
    </div>
  );
}

function FolderView({ folder, selected, onSelect }: { folder: ArtifactFolder; selected: string | null; onSelect: (id: string) => void }) {
  return (
    <ul className="tree" role={folder.path === '' ? 'tree' : 'group'}>
      {folder.folders.map((sub) => (
        <li key={sub.path} role="treeitem" aria-expanded="true">
          <details open>
            <summary>{sub.name}/</summary>
            <FolderView folder={sub} selected={selected} onSelect={onSelect} />
          </details>
        </li>
      ))}
      {folder.files.map(({ name, artifact }) => (
        <li key={artifact.path} role="treeitem" aria-selected={selected === artifact.id}>
          <button type="button" className="tree-file" data-path={artifact.path} onClick={() => onSelect(artifact.id)}>
            <span>{name}</span>
            <span className="muted small">
              v{artifact.version} · {formatBytes(artifact.size)}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function VersionsView({ id }: { id: string }) {
  const detail = useQuery('getArtifact', { params: { id } });
  const [previewing, setPreviewing] = useState<ArtifactVersion | null>(null);
  useEffect(() => setPreviewing(detail.data?.versions[0] ?? null), [detail.data]);
  if (detail.loading && !detail.data) return <Loading />;
  if (detail.error) return <LoadError message={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return null;
  return (
    <>
      <h3 className="artifact-path">{detail.data.path}</h3>
      <table className="table versions">
        <caption className="muted small">Versions of {detail.data.path}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Size</th>
            <th scope="col">Uploaded by</th>
            <th scope="col">When</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {detail.data.versions.map((v) => (
            <tr key={v.id} data-version={v.version}>
              <td>v{v.version}</td>
              <td>{formatBytes(v.size)}</td>
              <td>{v.uploaded_by ?? 'a deleted account'}</td>
              <td>{formatMoment(v.created_at)}</td>
              <td>
                <div className="version-actions">
                <button type="button" className="btn small" onClick={() => setPreviewing(v)} aria-pressed={previewing?.id === v.id}>
                  Preview
                </button>
                <a className="btn small" href={contentUrl(v.id)} download aria-label={`Download version ${v.version}`}>
                  Download
                </a>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {previewing ? (
        <div className="artifact-preview">
          <p className="muted small">
            Preview of v{previewing.version} ({previewing.content_type})
          </p>
          <ArtifactPreview artifact={previewing} />
        </div>
      ) : null}
    </>
  );
}

/** `GET /artifacts` page by page, following `next_cursor` on demand. */
function useArtifactPages(orgId: string, projectId: string | null) {
  const [pages, setPages] = useState<ArtifactListResponse[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);

  const fetchPage = (cursor: string | undefined) =>
    call('listArtifacts', { query: { org_id: orgId, ...(projectId ? { project_id: projectId } : {}), ...(cursor ? { cursor } : {}) } });

  useEffect(() => {
    let live = true;
    setLoading(true);
    setPages([]);
    fetchPage(undefined)
      .then((page) => live && (setPages([page]), setError(null)))
      .catch((e: unknown) => live && setError(describeError(e)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // `fetchPage` is rebuilt each render from these same inputs.
  }, [orgId, projectId, generation]);

  const last = pages.at(-1);
  const loadMore = () => {
    if (!last?.next_cursor) return;
    setLoading(true);
    fetchPage(last.next_cursor)
      .then((page) => setPages((p) => [...p, page]))
      .catch((e: unknown) => setError(describeError(e)))
      .finally(() => setLoading(false));
  };
  return { pages, error, loading, more: Boolean(last?.next_cursor), loadMore, reload: () => setGeneration((g) => g + 1) };
}
