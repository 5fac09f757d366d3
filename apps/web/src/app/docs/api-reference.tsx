'use client';

import { API_BASE } from '@aius/contracts';
import { ApiReferenceReact } from '@scalar/api-reference-react';
import '@scalar/api-reference-react/style.css';

/**
 * Scalar's renderer, bundled (no CDN script) and told to reach nothing but this server:
 * no web fonts from its font host, no telemetry, no hosted AI agent, no request proxy (the
 * "try it" client calls /api/v1 on this origin directly).
 */
export function ApiReference() {
  return (
    <ApiReferenceReact
      configuration={{
        url: `${API_BASE}/openapi.json`,
        withDefaultFonts: false,
        telemetry: false,
        proxyUrl: '',
        showDeveloperTools: 'never',
        mcp: { disabled: true },
        // "Ask AI" sends the document to Scalar's hosted agent.
        agent: { disabled: true },
      }}
    />
  );
}
