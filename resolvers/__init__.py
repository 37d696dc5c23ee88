"""Resolvers: parse GraphQL input, call one service or one read, hand back what it returned."""
