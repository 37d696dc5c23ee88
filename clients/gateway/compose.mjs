// Composes subgraphs into a supergraph for Hive Gateway.
//   node compose.mjs OUT NAME=URL [NAME=URL ...]
// Each subgraph's SDL is read from its own `_service { sdl }`, as a gateway's tooling does.
import { writeFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices } from "@theguild/federation-composition";

const [out, ...subgraphs] = process.argv.slice(2);
const services = [];
for (const entry of subgraphs) {
  const [name, url] = entry.split("=");
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const { data } = await response.json();
  services.push({ name, url, typeDefs: parse(data._service.sdl) });
}
const result = composeServices(services);
if (result.errors && result.errors.length) {
  for (const error of result.errors) console.error(error.message);
  process.exit(1);
}
writeFileSync(out, result.supergraphSdl);
