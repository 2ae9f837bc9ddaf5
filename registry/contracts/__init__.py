"""One Python binding per Solidity interface: the only place that knows the contracts' shapes.

- `statusword`: the status-list bit layout (entry bits, last-change block, packed ids and event
  fields), pure, as `contracts/libraries/StatusWord.sol` writes it.
- `did.DIDRegistry`, `tir.TrustedIssuersRegistry`, `credentials.CredentialRegistry`,
  `recognition.RecognitionRegistry`: a binding is
  a contract address; its methods return `Call` objects (send them with `client.transact`, read
  them with `client.call`/`call_many`, or batch them) and decode answers and events into types.
- `effects.DeploymentEffects`: what the journal asks about a write (already on-chain? refused as
  done? what is still to change?), so the journal itself knows no contract.

Layer: above `registry.chain` (the client, the journal) and `registry.formats`; below `registry.ops`
and the faces. Nothing is imported here, so a command imports only the bindings it uses.
"""
