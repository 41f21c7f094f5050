import type { CommandGroup } from '../registry';
import { keyCommands } from './keys';
import { userCommands } from './users';

/** Every command group of auth-admin; a new group is one file here and one line below. */
export const COMMAND_GROUPS: CommandGroup[] = [keyCommands, userCommands];
