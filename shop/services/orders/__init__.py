"""Orders, by concern: `placing` (checkout's one transaction), `holds`
(what an unpaid order holds, and giving it back when it expires or is cancelled; the
customer's order page), `fulfilment` (staff: ship, cancel, clear the attention flag),
`refunds`, `reading` (one order in full for the back office) and `export` (the list and its
CSV). The stock and code uses an order holds are taken and given back by
`shop.services.reservations`."""
