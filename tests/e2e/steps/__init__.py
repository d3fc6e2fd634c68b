"""Steps e2e tests share, one module per feature (plus `common` for reading what people
see). Test modules import steps from here, never from each other or from a conftest."""
