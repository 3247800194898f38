/*
 * wall_font.h - big digits and state words for the wall (wall_font.c).
 */
#ifndef POP3MON_WALL_FONT_H
#define POP3MON_WALL_FONT_H

#include <curses.h>
#include <stdbool.h>

struct ui;

/* True when every character of s has a big glyph (digits, the letters of the state words, space). */
bool wall_big_can(const char *s);
/* Columns s takes with each pixel hs columns wide. */
int wall_big_width(const char *s, int hs);
/* Draw s, 5*vs rows high, at (y, x). Returns the columns used. */
int wall_big_text(struct ui *u, int y, int x, int hs, int vs, attr_t a, const char *s);

#endif
