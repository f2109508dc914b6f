"""Use cases. Each takes the session and primitives, decides through `shop.rules`, writes and
commits once. They never touch `request` or the cookie session."""
