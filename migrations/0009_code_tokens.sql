-- The newest code issued under a daily code id, kept until the day's row
-- is purged: its URL (<public_base_url>/v/<token>, what the QR code holds)
-- and the QR symbol's modules (fcgi/qr.h).  It is handed out again while
-- it has at least half its lifetime left and the person's colour is the
-- one in it, so a page that is reloaded is not a new signature and a new
-- QR each time; and a scan of exactly that token is known to carry our
-- signature, checked when it was signed, so verification compares it
-- instead of repeating the P-256 check.  Any other token (an older one, a
-- changed byte) is checked in full.  The token holds the code id, colour
-- and times: nothing the row does not already tell.
ALTER TABLE daily_codes ADD COLUMN url TEXT;
ALTER TABLE daily_codes ADD COLUMN qr BLOB;
