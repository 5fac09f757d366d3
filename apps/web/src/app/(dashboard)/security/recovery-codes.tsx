'use client';

import { CopyButton } from '@/components/copy-button';

/** Recovery codes exist in the browser only now: the API keeps hashes and never shows them again. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = `AIUS recovery codes\nEach code signs you in once if you lose your authenticator.\n\n${codes.join('\n')}\n`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'aius-recovery-codes.txt';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section className="card reveal" aria-labelledby="recovery-title">
      <h2 id="recovery-title">Save your recovery codes</h2>
      <p className="warning">
        This is the only time these codes are shown. Keep them somewhere safe: each one signs you in once if you lose access to your
        authenticator app.
      </p>
      <ul className="code-grid" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="actions start">
        <CopyButton text={codes.join('\n')} label="Copy codes" />
        <button type="button" className="btn" onClick={download}>
          Download .txt
        </button>
        <button type="button" className="btn primary" onClick={onDone}>
          I’ve saved them
        </button>
      </div>
    </section>
  );
}
