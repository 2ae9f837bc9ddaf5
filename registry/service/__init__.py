"""The registry service: EBSI-compatible read APIs, verification, client-signed writes, a web page.

Stateless apart from caches keyed by block, so any number of instances can run behind a load
balancer against one chain. It never holds a private key: writes are built here, signed by the
caller and only checked and broadcast here.
"""
