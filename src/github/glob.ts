/** The `configs` glob dialect lives in util/ (the init command uses it too); kept here for the action's imports. */
export * from '../util/glob';
