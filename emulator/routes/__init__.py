"""REST route handlers, one module per area of Discord's API (see `server.RouteTable`)."""
