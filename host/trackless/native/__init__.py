"""The native-messaging host (``trackless-host``): framing, protocol, action table, loop.

See PROTOCOL.md at the repository root for the wire contract.
"""
