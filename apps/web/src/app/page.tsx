export default function Home() {
  return (
    <main>
      <h1>AIUS</h1>
    </main>
  );
}
