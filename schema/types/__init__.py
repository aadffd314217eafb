"""GraphQL object types, one module per entity. Resolvers receive tortoise model instances."""
