/* hex.h -- lower-case hexadecimal, for digests, keys and request ids. */
#ifndef PF_HEX_H
#define PF_HEX_H

#include <stddef.h>

/* Write in[0..len) as 2*len lower-case hex digits and a NUL into out. */
void pf_hex_encode(const unsigned char *in, size_t len, char *out);

/* The value of hex digit c (either case), or -1. */
int pf_hex_value(char c);

#endif
