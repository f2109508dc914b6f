"""`make load`: a campaign rush on two app servers, measured with Locust."""
