/*
 * client.h -- the network a request comes from, as limits and
 * de-duplication count it.
 *
 * One person holds one IPv4 address at a time (or shares it behind NAT),
 * but an IPv6 host usually holds a whole /64 and picks new addresses in it
 * at will (privacy extensions), so an IPv6 client counts as its /64.  An
 * IPv4-mapped IPv6 address (::ffff:192.0.2.1, what a dual-stack socket
 * reports) is the IPv4 address it maps.  Nothing here is stored as it is:
 * callers keep only the keyed pseudonym (keys.h, kind "client") of the
 * network, for as long as they need it.
 */
#ifndef PF_CLIENT_H
#define PF_CLIENT_H

#define PF_CLIENT_NET_SIZE 64

/*
 * The network of address addr (REMOTE_ADDR: dotted IPv4 or any textual
 * IPv6, with no zone or port): "192.0.2.1", or "2001:db8:1:2::/64" (the
 * prefix in inet_ntop's canonical form).  PF_EINVAL (out "") for anything
 * else, NULL included.
 */
int pf_client_net(const char *addr, char out[PF_CLIENT_NET_SIZE]);

#endif
