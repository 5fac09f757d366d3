'use client';

import { API_BASE, fillPath, routes, type ArtifactVersion } from '@aius/contracts';
import { useEffect, useState } from 'react';
import { Loading } from '@/components/states';
import { previewKind } from './artifact-tree';

type Shown = { kind: 'text'; text: string } | { kind: 'image'; url: string } | { kind: 'error' };

export const contentUrl = (id: string) => `${API_BASE}${fillPath(routes.artifactContent.path, { id })}`;

/**
 * A version's bytes shown in the page, safely: fetched as data (never navigated to, never in
 * an iframe), text put in a <pre> as text, raster images shown from a blob: URL of the raster
 * type only. An uploaded HTML or SVG file is therefore only ever its source text here.
 */
export function ArtifactPreview({ artifact }: { artifact: ArtifactVersion }) {
  const kind = previewKind(artifact.content_type, artifact.size);
  const [shown, setShown] = useState<Shown | null>(null);

  useEffect(() => {
    if (kind === 'none') return;
    const controller = new AbortController();
    let url: string | null = null;
    setShown(null);
    fetch(contentUrl(artifact.id), { credentials: 'same-origin', signal: controller.signal })
      .then(async (res) => {
        if (!res.ok) throw new Error(String(res.status));
        const bytes = await res.arrayBuffer();
        if (kind === 'text') return setShown({ kind: 'text', text: new TextDecoder().decode(bytes) });
        url = URL.createObjectURL(new Blob([bytes], { type: artifact.content_type.split(';')[0]!.trim() }));
        setShown({ kind: 'image', url });
      })
      .catch(() => {
        if (!controller.signal.aborted) setShown({ kind: 'error' });
      });
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [artifact.id, artifact.content_type, kind]);

  if (kind === 'none') return <p className="muted small">No preview for this type or size; download it to open it.</p>;
  if (!shown) return <Loading label="Loading preview…" />;
  if (shown.kind === 'error') return <p className="muted small">The preview could not be loaded.</p>;
  if (shown.kind === 'image') return <img className="artifact-image" src={shown.url} alt={`Preview of ${artifact.path}`} />;
  return (
    <pre className="artifact-text" aria-label={`Contents of ${artifact.path}`}>
      {shown.text}
    </pre>
  );
}
