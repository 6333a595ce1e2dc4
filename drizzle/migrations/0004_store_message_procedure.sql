-- The write path for a message sent on its own (the usual case outside bursts): one CALL that
-- answers once, after the commit, instead of a multi-statement batch whose answers MariaDB sends
-- statement by statement (each one waking the server again). Same statements as the batched
-- path in server/services/message-batch/one-trip.ts. A sender who is not a member, or a room that
-- is gone, raises SQLSTATE 45000 before anything is written; a repeated client_msg_id fails the
-- INSERT on its unique key. Either way the caller rolls back and takes the checked path.
-- The final SELECT always yields one row (LEFT JOIN), so a committed message is always answered.
DROP PROCEDURE IF EXISTS `mm_store_message`;
--> statement-breakpoint
CREATE PROCEDURE `mm_store_message`(
  p_room BIGINT UNSIGNED,
  p_user BIGINT UNSIGNED,
  p_content TEXT CHARACTER SET utf8mb4,
  p_client_msg_id VARCHAR(64) CHARACTER SET utf8mb4,
  p_at DATETIME(3)
)
MODIFIES SQL DATA
BEGIN
  DECLARE v_seq BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_id BIGINT UNSIGNED;
  START TRANSACTION;
  SELECT `last_seq` INTO v_seq FROM `rooms` WHERE `id` = p_room FOR UPDATE;
  IF v_seq IS NULL OR NOT EXISTS (SELECT 1 FROM `room_members` WHERE `room_id` = p_room AND `user_id` = p_user) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'mm_store_message: not a member';
  END IF;
  INSERT INTO `messages` (`room_id`, `seq`, `sender_id`, `content`, `message_type`, `client_msg_id`, `created_at`)
    VALUES (p_room, v_seq + 1, p_user, p_content, 'text', p_client_msg_id, p_at);
  SET v_id = LAST_INSERT_ID();
  INSERT INTO `room_events` (`room_id`, `seq`, `type`, `message_id`, `created_at`) VALUES (p_room, v_seq + 1, 'new_message', v_id, p_at);
  UPDATE `rooms` SET `last_seq` = v_seq + 1, `last_message_id` = v_id, `last_activity_at` = p_at WHERE `id` = p_room;
  COMMIT;
  SELECT v_id AS `id`, v_seq + 1 AS `seq`, u.`username`, u.`avatar_url`, u.`last_seen_at`, u.`created_at` AS `user_created_at`
    FROM (SELECT 1 AS `one`) AS `one_row` LEFT JOIN `users` u ON u.`id` = p_user;
END;
