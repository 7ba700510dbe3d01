-- The owner role goes last, with the privileges it was granted here (TRIGGER on partitions, default
-- privileges); DROP ROLE still fails, and the role stays, if it owns objects in another database.
drop owned by {owner};
drop role {owner};
