// SPDX-License-Identifier: Apache-2.0
// (This file is JavaScript run by Node.js, the peer harness for DuckDB; the no-'//' rule
// of STYLE.md covers C only.)
//
// bench/duckdb_ndjson.mjs - time DuckDB's JSON reader over a JSON-lines file, as the peer
// of siloscope's reader in bench/ingest.sh. Prints one line:
//   duckdb MODE THREADS SECONDS ROWS
// MODE: count (parse and count rows) | fields (extract 5 fields per record and aggregate
// them so nothing is optimised away) | filter (one simple predicate, for bench/hunt).
import { DuckDBInstance } from '@duckdb/node-api';

const [file, mode = 'count', threads = '1'] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await inst.connect();
const src = `read_ndjson_auto('${file.replace(/'/g, "''")}', maximum_object_size=67108864)`;
const queries = {
    count: `SELECT count(*) FROM ${src}`,
    fields: `SELECT count(*), count(DISTINCT "time"), max(length(resourceId)),
                    count(DISTINCT operationName), count(DISTINCT category),
                    max(length(callerIpAddress)) FROM ${src}`,
    filter: `SELECT count(*) FROM ${src} WHERE operationName ILIKE '%/DELETE'`,
};
const t0 = process.hrtime.bigint();
const res = await con.runAndReadAll(queries[mode]);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const rows = res.getRows()[0][0];
console.log(`duckdb ${mode} ${threads} ${secs.toFixed(3)} ${rows}`);
