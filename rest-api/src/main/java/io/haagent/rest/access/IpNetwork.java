package io.haagent.rest.access;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IP network ({@code 10.0.0.0/8}, {@code fd00::/8}) or a single address, for the REST allowlist. */
public record IpNetwork(byte[] address, int prefixLength) {

    public IpNetwork {
        address = address.clone();
    }

    public static IpNetwork of(InetAddress a) {
        byte[] b = a.getAddress();
        return new IpNetwork(b, b.length * 8);
    }

    /**
     * Parses {@code addr/prefix} (host bits are ignored, as Python's {@code ip_network(v, strict=False)}). The
     * address part must be a literal IP: no name lookup happens here.
     *
     * @throws IllegalArgumentException naming the entry when it is not a network
     */
    public static IpNetwork parseCidr(String cidr) {
        int slash = cidr.indexOf('/');
        String addr = slash < 0 ? cidr.trim() : cidr.substring(0, slash).trim();
        if (!addr.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP network (address/prefix)");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP network: " + e.getMessage());
        }
        int bits = a.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + cidr + "': prefix length is not a number");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + cidr + "': prefix length must be 0.." + bits);
            }
        }
        return new IpNetwork(a.getAddress(), prefix);
    }

    public boolean contains(InetAddress candidate) {
        byte[] c = candidate.getAddress();
        if (c.length != address.length) {
            // An IPv4 client seen on an IPv6 socket arrives as ::ffff:a.b.c.d; compare it as IPv4.
            if (c.length == 16 && address.length == 4 && isMapped(c)) {
                c = Arrays.copyOfRange(c, 12, 16);
            } else {
                return false;
            }
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (c[i] != address[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (c[full] & mask) == (address[full] & mask);
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpNetwork n && n.prefixLength == prefixLength && Arrays.equals(n.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        try {
            InetAddress a = address.length == 4 ? Inet4Address.getByAddress(address) : InetAddress.getByAddress(address);
            return a.getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            return Arrays.toString(address) + "/" + prefixLength;
        }
    }
}
