/* policies/default.json, compiled in so the file and the binary agree. */
	.section .rodata
	.global ocigate_default_policy
	.global ocigate_default_policy_end
ocigate_default_policy:
	.incbin OCIGATE_DEFAULT_POLICY_FILE
ocigate_default_policy_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
