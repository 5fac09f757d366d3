'use client';

/** Shown when a page cannot render at all, typically because the API is unreachable. */
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <main className="centered">
      <div className="card narrow">
        <h1>AIUS is unavailable</h1>
        <p className="muted">The dashboard couldn’t reach the AIUS service. Check that it is running, then try again.</p>
        <button type="button" className="btn primary" onClick={reset}>
          Try again
        </button>
      </div>
    </main>
  );
}
