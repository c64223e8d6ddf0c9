"""Collectors: turn hosts into FactSets, one collector per connection kind."""
