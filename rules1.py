def rewrite(m, p, r, st):
    if m == "eth_getBlockByNumber" and isinstance(r, dict) and p[0] != "latest":
        if int(p[0],16) > 18: return {**r, "timestamp": "0xffffffffffff"}
    return r
