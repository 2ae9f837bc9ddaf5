"""Recognition decisions (issue #17): a destination authority publishes what a foreign credential is
worth here, and a verifier applies it.

`model` (a decision read from the chain: its document, its status history, whether it applied at a
time), `authority` (the writes and reads: `Recognition`), `ids` (decision ids whole or shortened),
`apply` (a verified credential against an authority's decisions: `Recogniser`, the finding a report
carries). Recognition never changes a
verdict: it is a finding added to a report.
"""
