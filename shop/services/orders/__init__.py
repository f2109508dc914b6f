"""Orders, by concern: `placing` (checkout's one transaction), `holds`
(what an unpaid order holds, and giving it back when it expires or is cancelled; the
customer's order page), `fulfilment` (staff: ship with lots, cancel, clear the attention
flag), `refunds`, `reading` (one order in full for the back office), `export` (the list and
its CSV) and `recall` (who received a lot). The stock and code uses an order holds are taken
and given back by `shop.services.reservations`."""
