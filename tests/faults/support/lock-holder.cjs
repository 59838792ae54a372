// A second process writing to Facet's SQLite database (as a worker does), holding the write lock
// for HOLD_MS at a time with GAP_MS in between, for TOTAL_MS. Usage: node lock-holder.cjs DB HOLD GAP TOTAL
const Database = require('better-sqlite3');
const [file, hold, gap, total] = process.argv.slice(2);
const db = new Database(file, { timeout: 30_000 });
db.exec('CREATE TABLE IF NOT EXISTS "_fault_writes" (id INTEGER PRIMARY KEY, at TEXT)');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const end = Date.now() + Number(total);
let n = 0;
do {
  db.exec('BEGIN IMMEDIATE');
  db.prepare('INSERT INTO "_fault_writes" (at) VALUES (?)').run(new Date().toISOString());
  if (n++ === 0) process.stdout.write('locked\n');
  sleep(Number(hold));
  db.exec('COMMIT');
  sleep(Number(gap));
} while (Date.now() < end);
db.close();
process.stdout.write(`done ${n}\n`);
