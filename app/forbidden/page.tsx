import Link from 'next/link';

export default function Forbidden() {
  return (
    <main className="centered">
      <h1>Not allowed</h1>
      <p>Your role does not give access to that page.</p>
      <Link href="/images">Back to images</Link>
    </main>
  );
}
