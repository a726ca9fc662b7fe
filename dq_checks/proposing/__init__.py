"""Rule proposals: what proposers are given and return, and how proposals are kept.

The offline profile-based proposer, the prompt for the LLM and the pending-proposals file format
live here. Pure logic; the proposals themselves live in a proposal store (see
`dq_checks.config.paths.proposals_location`).
"""
