-- client_msg_id is an opaque key chosen by the client: compare it byte for byte. Under the
-- database's case- and accent-insensitive collation, 'abc' and 'ABC' from one sender collided in
-- messages_client_msg_uq while the code looked them up as different keys, and the send failed (500).
ALTER TABLE `messages` MODIFY COLUMN `client_msg_id` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
