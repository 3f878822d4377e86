#include <tessera/error.h>

const char *hv_strerror(int err)
{
	static const char *const names[] = {
		[HV_OK] = "ok",
		[HV_ENOMEM] = "out of memory",
		[HV_EINVAL] = "invalid argument",
		[HV_EEXIST] = "already exists",
		[HV_ENOENT] = "not found",
		[HV_ERANGE] = "out of range",
		[HV_EPERM] = "not permitted",
		[HV_ENOTSUP] = "not supported",
		[HV_EBUSY] = "busy",
		[HV_EIO] = "I/O error",
		[HV_ECORRUPT] = "corrupt",
	};
	if (err < 0)
		err = -err;
	if ((unsigned int)err >= sizeof(names) / sizeof(names[0]) || !names[err])
		return "unknown error";
	return names[err];
}
