-- Members added in one transaction (a new room's initial members) share a millisecond, so joined_at
-- could not tell their order and the member list fell back to user ids. Rows from before keep 0.
ALTER TABLE `room_members` ADD `joined_seq` bigint unsigned DEFAULT 0 NOT NULL;