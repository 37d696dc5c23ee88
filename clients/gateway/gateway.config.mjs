// Hive Gateway in front of the platform: subscriptions go to the subgraph over WebSocket
// (graphql-transport-ws) with the client's connection_init token; queries and mutations carry
// the caller's Authorization header.
export const gatewayConfig = {
  supergraph: process.env.SUPERGRAPH,
  transportEntries: {
    furusato: {
      options: {
        subscriptions: {
          kind: "ws",
          location: "/graphql",
          options: {
            connectionParams: { Authorization: "{context.connectionParams.Authorization}" },
          },
        },
      },
    },
  },
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const authorization = request.headers.get("authorization");
      return authorization ? { authorization } : {};
    },
  },
};
