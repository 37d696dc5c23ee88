"""The GraphQL schema: types, inputs, payloads, and the permissions declared on them."""
