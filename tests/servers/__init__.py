"""Local servers the tests (and `marsad demo`) run on 127.0.0.1."""
