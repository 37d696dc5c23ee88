// Subscribes to MunicipalEvents with the reference graphql-ws client and prints the first
// N events as JSON lines. Usage: node subscribe.mjs URL TOKEN CODE N
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, code, count] = process.argv.slice(2);
const query = `subscription MunicipalEvents($code: String!, $after: String) {
  municipalEvents(municipalityCode: $code, after: $after) { cursor type occurredAt subjectId tier }
}`;
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});
let seen = 0;
const timer = setTimeout(() => { console.error("timed out"); process.exit(2); }, 20000);
client.subscribe(
  { query, variables: { code, after: null } },
  {
    next: (result) => {
      if (result.errors) { console.error(JSON.stringify(result.errors)); process.exit(1); }
      console.log(JSON.stringify(result.data.municipalEvents));
      seen += 1;
      if (seen >= Number(count)) { clearTimeout(timer); client.dispose(); process.exit(0); }
    },
    error: (error) => { console.error(String(error?.reason ?? error)); process.exit(1); },
    complete: () => {},
  },
);
console.error("subscribed");
