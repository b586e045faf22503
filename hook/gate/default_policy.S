/* policies/default.json, compiled in so the file and the binary agree, and
 * its SHA-256 in hex (the Makefile computes it), which every hook start
 * would otherwise compute again for the decision log. */
	.section .rodata
	.global ocigate_default_policy
	.global ocigate_default_policy_end
ocigate_default_policy:
	.incbin OCIGATE_DEFAULT_POLICY_FILE
ocigate_default_policy_end:
	.byte 0
	.global ocigate_default_policy_sha256
ocigate_default_policy_sha256:
	.asciz OCIGATE_DEFAULT_POLICY_SHA256
	.section .note.GNU-stack,"",@progbits
