// PostGraphile v5 with its recommended preset on the platform's database, as a municipality
// could run it: the tables of schema public, nothing custom. bench/performance.py starts it
// with DATABASE_URL and PORT.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      pubsub: false,
      poolConfig: { max: Number(process.env.POOL_SIZE ?? 20) },
    }),
  ],
  grafserv: { port: Number(process.env.PORT ?? 5678), graphiql: false, watch: false },
  grafast: { explain: false },
};
