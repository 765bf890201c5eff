/*
 * A person's colour now: the rules (rules.c) over their stored
 * declarations, travel, case-list entries and the risk areas, cached in
 * the persons row until anything it depends on changes
 * (migrations/0007_colour_cache.sql), with the clearance marks that keep
 * a cleared cause cleared after the purge (migrations/0010_house.sql).
 */
#ifndef HC_COLOUR_H
#define HC_COLOUR_H

#include "ctx.h"

/* Computes (or reads the cached) colour of a person; 0, or -1 on a database error. */
int colour_of(struct ctx *c, int64_t person_id, const char *id_hash,
    struct rules_result *out);
/* Adds key:[reason codes] (or, with labels, the catalogue's texts) to o. */
void colour_reasons(struct ctx *c, cJSON *o, const char *key,
    unsigned reasons, int labels);

#endif
