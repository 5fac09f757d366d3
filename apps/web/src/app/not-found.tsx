import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="centered">
      <div className="card narrow">
        <h1>Page not found</h1>
        <p className="muted">There’s nothing at this address.</p>
        <Link href="/projects" className="btn primary">
          Go to your projects
        </Link>
      </div>
    </main>
  );
}
