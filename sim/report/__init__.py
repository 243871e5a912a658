"""The one-file HTML report of a results directory (``deconflict report``): no network, no other file."""
