/* Files compiled into the program (migrations, templates, catalogues). */
#ifndef HC_EMBED_H
#define HC_EMBED_H

#include <stddef.h>

struct embed_file {
	const char	*name;	/* file name without directories */
	const char	*data;	/* NUL-terminated */
	size_t		 len;
};

#endif
