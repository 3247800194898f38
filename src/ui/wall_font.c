/*
 * wall_font.c - big text for the wall, readable from across a room: the
 * digits of the counters and the state words of the tiles, five "pixels"
 * high, each pixel drawn as hs columns by vs rows of the block glyph, so
 * the text grows with the screen.
 */
#include <string.h>

#include "ui_internal.h"
#include "wall_font.h"

struct glyph {
	char c;
	const char *row[5]; /* '#' = lit; all rows of a glyph have the same width */
};

static const struct glyph font[] = {
	{ '0', { "###", "# #", "# #", "# #", "###" } }, { '1', { " # ", "## ", " # ", " # ", "###" } },
	{ '2', { "###", "  #", "###", "#  ", "###" } }, { '3', { "###", "  #", "###", "  #", "###" } },
	{ '4', { "# #", "# #", "###", "  #", "  #" } }, { '5', { "###", "#  ", "###", "  #", "###" } },
	{ '6', { "###", "#  ", "###", "# #", "###" } }, { '7', { "###", "  #", "  #", "  #", "  #" } },
	{ '8', { "###", "# #", "###", "# #", "###" } }, { '9', { "###", "# #", "###", "  #", "###" } },
	{ 'A', { " ### ", "#   #", "#####", "#   #", "#   #" } },
	{ 'C', { " ####", "#    ", "#    ", "#    ", " ####" } },
	{ 'D', { "#### ", "#   #", "#   #", "#   #", "#### " } },
	{ 'E', { "#####", "#    ", "#### ", "#    ", "#####" } },
	{ 'G', { " ####", "#    ", "#  ##", "#   #", " ### " } },
	{ 'K', { "#   #", "#  # ", "###  ", "#  # ", "#   #" } },
	{ 'N', { "#   #", "##  #", "# # #", "#  ##", "#   #" } },
	{ 'O', { " ### ", "#   #", "#   #", "#   #", " ### " } },
	{ 'R', { "#### ", "#   #", "#### ", "#  # ", "#   #" } },
	{ 'V', { "#   #", "#   #", "#   #", " # # ", "  #  " } },
	{ 'W', { "#   #", "#   #", "# # #", "## ##", "#   #" } },
	{ ' ', { "  ", "  ", "  ", "  ", "  " } },
};

static const struct glyph *find(char c)
{
	for (size_t i = 0; i < sizeof(font) / sizeof(font[0]); i++)
		if (font[i].c == c)
			return &font[i];
	return NULL;
}

bool wall_big_can(const char *s)
{
	for (; *s; s++)
		if (!find(*s))
			return false;
	return true;
}

int wall_big_width(const char *s, int hs)
{
	int w = 0;
	for (; *s; s++) {
		const struct glyph *g = find(*s);
		if (g)
			w += ((int)strlen(g->row[0]) + 1) * hs;
	}
	return w > 0 ? w - hs : 0;
}

int wall_big_text(struct ui *u, int y, int x, int hs, int vs, attr_t a, const char *s)
{
	int w = 0;
	for (; *s; s++) {
		const struct glyph *g = find(*s);
		if (!g)
			continue;
		int gw = (int)strlen(g->row[0]);
		for (int r = 0; r < 5; r++)
			for (int c = 0; c < gw; c++)
				if (g->row[r][c] == '#')
					for (int dy = 0; dy < vs; dy++)
						for (int dx = 0; dx < hs; dx++)
							ui_put(u, y + r * vs + dy, x + w + c * hs + dx, 1, a, u->g->block);
		w += (gw + 1) * hs;
	}
	return w > 0 ? w - hs : 0;
}
